"""EB-Habitat (Language Rearrangement on ReplicaCAD) behind the household contract."""
