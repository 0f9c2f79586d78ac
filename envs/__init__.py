"""Environments behind one Gymnasium contract. ``import envs`` registers their ids."""

from gymnasium.envs.registration import register, registry

if "EgoHousehold-v0" not in registry:
    register(id="EgoHousehold-v0", entry_point="envs.household.env:HouseholdEnv")
if "EgoAlfworldText-v0" not in registry:
    register(id="EgoAlfworldText-v0", entry_point="envs.alfworld_text.env:AlfworldTextEnv")
if "EgoHabitat-v0" not in registry:
    register(id="EgoHabitat-v0", entry_point="envs.habitat.env:HabitatEnv")
if "EgoThor-v0" not in registry:  # EB-ALFRED on AI2-THOR; needs `pip install 'egoloop[thor]'` and a Unity build
    register(id="EgoThor-v0", entry_point="envs.thor.env:ThorEnv")
