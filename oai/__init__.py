"""OAI-PMH: the hub's provider and its harvesting client."""
