"""The content team's tools: checking intents and answers in every language."""
