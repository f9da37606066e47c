"""Forms: assessments (the rating workflow) and reports."""
