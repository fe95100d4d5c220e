"""Domain code shared by the action server (actions/) and the web app (web/), which never import each other."""
