"""Messaging channels. Each one only translates between a platform and the helpline core:
platform payload -> Inbound, Reply -> platform send."""
