"""The risk bands (relationships/risks.py) for templates: the register, the
dashboard and the PDF report name and colour a score the same way."""

from django import template

from relationships.risks import RISK_BANDS, RiskBand, risk_band

register = template.Library()


@register.simple_tag
def risk_bands() -> tuple[RiskBand, ...]:
    return RISK_BANDS


@register.filter(name="risk_band")
def risk_band_filter(score: int) -> RiskBand:
    """{% with band=risk.score|risk_band %}: the band of a likelihood x impact score."""
    return risk_band(score)
