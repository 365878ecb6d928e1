"""The HTTP API in process (Flask's test client), and webhooks to a receiver on 127.0.0.1."""
