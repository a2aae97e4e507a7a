"""The Rasa NLU boundary: an HTTP client, an embedded server supervisor and model training."""
