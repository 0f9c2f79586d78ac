"""The embedded household simulator: the 120 real iTHOR floorplans, EB-ALFRED's skills, ALFRED's tasks."""
