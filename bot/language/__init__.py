"""Language identification for short, informal messages in the helpline's languages."""

from bot.language.detection import Detection, LanguageDetector

__all__ = ["Detection", "LanguageDetector"]
