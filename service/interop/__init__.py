"""Healthcare interoperability: the FHIR Questionnaire and QuestionnaireResponse, and CDS Hooks."""
