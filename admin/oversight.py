"""(placeholder: routes for this module are added by the work on its issue)."""
