"""Operations: settings from the environment, Prometheus metrics, urgent alerts, gunicorn's config."""
