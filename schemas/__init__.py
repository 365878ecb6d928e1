"""marshmallow schemas and the data they are built from (questionnaire, article index)."""
