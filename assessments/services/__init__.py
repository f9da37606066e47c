"""Services (every write): assessments (the rating workflow), reports and schedules."""
