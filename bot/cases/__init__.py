"""Escalation to lawyers: cases, the queue, claiming, and what the migrant is told."""
