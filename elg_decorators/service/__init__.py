"""The FlaskService class: an ELG service as a Flask application."""
