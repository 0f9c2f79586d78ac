"""Environments behind one Gymnasium contract. ``import envs`` registers their ids."""

from gymnasium.envs.registration import register, registry

if "EgoHousehold-v0" not in registry:
    register(id="EgoHousehold-v0", entry_point="envs.household.env:HouseholdEnv")
if "EgoThor-v0" not in registry:  # EB-ALFRED on AI2-THOR; needs `pip install 'egoloop[thor]'` and a Unity build
    register(id="EgoThor-v0", entry_point="envs.thor.env:ThorEnv")
