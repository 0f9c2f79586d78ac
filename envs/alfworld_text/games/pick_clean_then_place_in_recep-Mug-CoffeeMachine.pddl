; A kitchen: a dirty mug in a closed cabinet; it must be washed in the sink basin first.
(define (problem egoloop_clean_mug_in_coffeemachine)
(:domain alfred)
(:objects
 agent1 - agent
 Mug_bar__plus_00_dot_90 - object
 Cup_bar__minus_00_dot_30 - object
 Cabinet_bar__plus_01_dot_50 - receptacle
 Sink_bar__minus_01_dot_10_bar_SinkBasin - receptacle
 CoffeeMachine_bar__plus_02_dot_40 - receptacle
 CounterTop_bar__plus_00_dot_10 - receptacle
 loc_bar_start - location
 loc_bar_cabinet - location
 loc_bar_sink - location
 loc_bar_coffee - location
 loc_bar_counter - location
 MugType - otype
 CupType - otype
 CabinetType - rtype
 SinkBasinType - rtype
 CoffeeMachineType - rtype
 CounterTopType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation Cabinet_bar__plus_01_dot_50 loc_bar_cabinet)
 (receptacleAtLocation Sink_bar__minus_01_dot_10_bar_SinkBasin loc_bar_sink)
 (receptacleAtLocation CoffeeMachine_bar__plus_02_dot_40 loc_bar_coffee)
 (receptacleAtLocation CounterTop_bar__plus_00_dot_10 loc_bar_counter)
 (receptacleType Cabinet_bar__plus_01_dot_50 CabinetType)
 (receptacleType Sink_bar__minus_01_dot_10_bar_SinkBasin SinkBasinType)
 (receptacleType CoffeeMachine_bar__plus_02_dot_40 CoffeeMachineType)
 (receptacleType CounterTop_bar__plus_00_dot_10 CounterTopType)
 (openable Cabinet_bar__plus_01_dot_50)
 (objectType Mug_bar__plus_00_dot_90 MugType)
 (objectType Cup_bar__minus_00_dot_30 CupType)
 (objectAtLocation Mug_bar__plus_00_dot_90 loc_bar_cabinet)
 (objectAtLocation Cup_bar__minus_00_dot_30 loc_bar_counter)
 (inReceptacle Mug_bar__plus_00_dot_90 Cabinet_bar__plus_01_dot_50)
 (inReceptacle Cup_bar__minus_00_dot_30 CounterTop_bar__plus_00_dot_10)
 (pickupable Mug_bar__plus_00_dot_90)
 (pickupable Cup_bar__minus_00_dot_30)
 (cleanable Mug_bar__plus_00_dot_90)
 (cleanable Cup_bar__minus_00_dot_30)
 (canContain CabinetType MugType)
 (canContain SinkBasinType MugType)
 (canContain CoffeeMachineType MugType)
 (canContain CounterTopType MugType)
 (canContain CabinetType CupType)
 (canContain SinkBasinType CupType)
 (canContain CounterTopType CupType)
)
