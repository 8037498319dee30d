"""The Django project: settings, URLs and (later) the operators' dashboard."""
