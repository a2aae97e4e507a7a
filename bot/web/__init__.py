"""The application's web server: the migrants' web chat and its JSON API."""
