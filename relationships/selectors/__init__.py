"""Reads, one module per area (relationships, plans, registers, lifecycle,
organisations, history). Who may read or change what is decided in
relationships.access, which every selector here builds on."""
