"""Forms, one module per area: relationships, plans, registers, lifecycle."""
