"""Apps with the decision log on, for the live tests; each test's apps stop shipping when it ends."""

from service import create_app

KEY = {"X-API-Key": "test-key-4711"}


APPS = []


def log_app(url, **settings):
    app = create_app(
        {
            "TESTING": True,
            "DECISION_LOG": True,
            "DATABASE_URL": url,
            "API_KEY": KEY["X-API-Key"],
            **settings,
        }
    )
    APPS.append(app)
    return app
