"""Form rendering through the project's templates, with one field layout for every page."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    # Errors sit between the label and the control, where a sighted person looks and where a
    # screen reader reads them before the control (which also gets aria-invalid from Django).
    field_template_name = "forms/field.html"
