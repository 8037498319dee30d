"""The form that names a new API token."""

from __future__ import annotations

from django import forms

from api.models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


class NewTokenForm(forms.Form):
    """What a new token is for: 1 to 100 characters, surrounding spaces stripped."""

    name = forms.CharField(max_length=NAME_MAX_LENGTH, strip=True)
