; A kitchen: a cold potato in the closed fridge; it must be heated in the microwave first.
(define (problem egoloop_hot_potato_on_diningtable)
(:domain alfred)
(:objects
 agent1 - agent
 Potato_bar__plus_00_dot_20 - object
 Bread_bar__minus_00_dot_80 - object
 Fridge_bar__minus_02_dot_10 - receptacle
 Microwave_bar__plus_01_dot_30 - receptacle
 DiningTable_bar__plus_00_dot_00 - receptacle
 CounterTop_bar__plus_01_dot_90 - receptacle
 loc_bar_start - location
 loc_bar_fridge - location
 loc_bar_microwave - location
 loc_bar_table - location
 loc_bar_counter - location
 PotatoType - otype
 BreadType - otype
 FridgeType - rtype
 MicrowaveType - rtype
 DiningTableType - rtype
 CounterTopType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation Fridge_bar__minus_02_dot_10 loc_bar_fridge)
 (receptacleAtLocation Microwave_bar__plus_01_dot_30 loc_bar_microwave)
 (receptacleAtLocation DiningTable_bar__plus_00_dot_00 loc_bar_table)
 (receptacleAtLocation CounterTop_bar__plus_01_dot_90 loc_bar_counter)
 (receptacleType Fridge_bar__minus_02_dot_10 FridgeType)
 (receptacleType Microwave_bar__plus_01_dot_30 MicrowaveType)
 (receptacleType DiningTable_bar__plus_00_dot_00 DiningTableType)
 (receptacleType CounterTop_bar__plus_01_dot_90 CounterTopType)
 (openable Fridge_bar__minus_02_dot_10)
 (openable Microwave_bar__plus_01_dot_30)
 (objectType Potato_bar__plus_00_dot_20 PotatoType)
 (objectType Bread_bar__minus_00_dot_80 BreadType)
 (objectAtLocation Potato_bar__plus_00_dot_20 loc_bar_fridge)
 (objectAtLocation Bread_bar__minus_00_dot_80 loc_bar_counter)
 (inReceptacle Potato_bar__plus_00_dot_20 Fridge_bar__minus_02_dot_10)
 (inReceptacle Bread_bar__minus_00_dot_80 CounterTop_bar__plus_01_dot_90)
 (pickupable Potato_bar__plus_00_dot_20)
 (pickupable Bread_bar__minus_00_dot_80)
 (heatable Potato_bar__plus_00_dot_20)
 (heatable Bread_bar__minus_00_dot_80)
 (coolable Potato_bar__plus_00_dot_20)
 (coolable Bread_bar__minus_00_dot_80)
 (canContain FridgeType PotatoType)
 (canContain MicrowaveType PotatoType)
 (canContain DiningTableType PotatoType)
 (canContain CounterTopType PotatoType)
 (canContain FridgeType BreadType)
 (canContain MicrowaveType BreadType)
 (canContain DiningTableType BreadType)
 (canContain CounterTopType BreadType)
)
