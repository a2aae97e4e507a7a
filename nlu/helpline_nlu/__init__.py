"""Rasa components of the migrant helpline, loaded by module path from nlu/config.yml."""
