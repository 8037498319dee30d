"""Dashboard pages where users create, list and revoke their own API tokens."""
