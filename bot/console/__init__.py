"""The lawyers' console: login, the queue, cases."""
