"""ALFWorld's text games (TextWorld + ALFWorld's PDDL domain) behind the household contract."""
