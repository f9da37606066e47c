"""Views: assessments (the rating workflow) and reports."""
