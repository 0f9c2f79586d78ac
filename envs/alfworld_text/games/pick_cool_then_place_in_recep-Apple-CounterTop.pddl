; A kitchen with two countertops: the apple on the dining table must be cooled in the fridge first.
(define (problem egoloop_cool_apple_on_countertop)
(:domain alfred)
(:objects
 agent1 - agent
 Apple_bar__plus_00_dot_50 - object
 Egg_bar__minus_01_dot_40 - object
 DiningTable_bar__plus_00_dot_00 - receptacle
 Fridge_bar__minus_02_dot_10 - receptacle
 CounterTop_bar__plus_01_dot_90 - receptacle
 CounterTop_bar__minus_01_dot_40 - receptacle
 loc_bar_start - location
 loc_bar_table - location
 loc_bar_fridge - location
 loc_bar_counter_a - location
 loc_bar_counter_b - location
 AppleType - otype
 EggType - otype
 DiningTableType - rtype
 FridgeType - rtype
 CounterTopType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation DiningTable_bar__plus_00_dot_00 loc_bar_table)
 (receptacleAtLocation Fridge_bar__minus_02_dot_10 loc_bar_fridge)
 (receptacleAtLocation CounterTop_bar__plus_01_dot_90 loc_bar_counter_a)
 (receptacleAtLocation CounterTop_bar__minus_01_dot_40 loc_bar_counter_b)
 (receptacleType DiningTable_bar__plus_00_dot_00 DiningTableType)
 (receptacleType Fridge_bar__minus_02_dot_10 FridgeType)
 (receptacleType CounterTop_bar__plus_01_dot_90 CounterTopType)
 (receptacleType CounterTop_bar__minus_01_dot_40 CounterTopType)
 (openable Fridge_bar__minus_02_dot_10)
 (objectType Apple_bar__plus_00_dot_50 AppleType)
 (objectType Egg_bar__minus_01_dot_40 EggType)
 (objectAtLocation Apple_bar__plus_00_dot_50 loc_bar_table)
 (objectAtLocation Egg_bar__minus_01_dot_40 loc_bar_counter_b)
 (inReceptacle Apple_bar__plus_00_dot_50 DiningTable_bar__plus_00_dot_00)
 (inReceptacle Egg_bar__minus_01_dot_40 CounterTop_bar__minus_01_dot_40)
 (pickupable Apple_bar__plus_00_dot_50)
 (pickupable Egg_bar__minus_01_dot_40)
 (coolable Apple_bar__plus_00_dot_50)
 (heatable Apple_bar__plus_00_dot_50)
 (coolable Egg_bar__minus_01_dot_40)
 (heatable Egg_bar__minus_01_dot_40)
 (canContain DiningTableType AppleType)
 (canContain FridgeType AppleType)
 (canContain CounterTopType AppleType)
 (canContain DiningTableType EggType)
 (canContain FridgeType EggType)
 (canContain CounterTopType EggType)
)
