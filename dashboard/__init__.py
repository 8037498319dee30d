"""The Django project (settings, URLs) and the operators' dashboard, one package per page."""
