from django import forms

from relationships.widgets import FastSelect


def test_fast_select_renders_escaped_options_and_marks_the_selection() -> None:
    widget = FastSelect(choices=[("", "Anyone"), ("1", "Tom & <Jerry>"), ("2", "Ann")])
    html = widget.render("owner", "1", attrs={"id": "id_owner", "class": "form-select"})
    assert html.startswith('<select name="owner" ')
    assert 'id="id_owner"' in html and 'class="form-select"' in html
    assert '<option value="1" selected>Tom &amp; &lt;Jerry&gt;</option>' in html
    assert '<option value="2">Ann</option>' in html
    assert '<option value="">Anyone</option>' in html


def test_fast_select_matches_what_a_form_posts_back() -> None:
    class OwnerForm(forms.Form):
        owner = forms.ChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=FastSelect, required=False
        )

    form = OwnerForm({"owner": "b"})
    assert form.is_valid()
    assert '<option value="b" selected>B</option>' in str(form["owner"])
