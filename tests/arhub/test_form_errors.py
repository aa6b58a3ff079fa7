from django import forms
from django.core.exceptions import ValidationError

from arhub.form_errors import form_add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def test_field_errors_land_on_their_field_and_others_above_the_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    form_add_service_errors(form, ValidationError({"name": "Taken.", "plan": "Unknown plan."}))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Unknown plan."]


def test_plain_error_goes_above_the_form():
    form = NameForm({"name": "x"})
    form.is_valid()
    form_add_service_errors(form, ValidationError("Try again later."))
    assert form.non_field_errors() == ["Try again later."]
