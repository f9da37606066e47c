"""Services (every write), one module per area: relationships, plans, registers,
lifecycle."""
