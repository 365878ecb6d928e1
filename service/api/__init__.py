"""The HTTP API: errors, middleware, JSON input and output, the OpenAPI document, one module per
resource, and the embeddable form with its static files and labels."""
