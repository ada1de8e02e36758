"""Who may use the dashboard and the API: admin accounts and API keys."""
