; A bathroom: the soap bottle stands on the countertop; it belongs on the toilet.
(define (problem egoloop_soapbottle_on_toilet)
(:domain alfred)
(:objects
 agent1 - agent
 SoapBottle_bar__plus_00_dot_60 - object
 ToiletPaper_bar__minus_00_dot_20 - object
 CounterTop_bar__plus_01_dot_00 - receptacle
 Toilet_bar__minus_01_dot_20 - receptacle
 Cabinet_bar__plus_00_dot_90 - receptacle
 Bathtub_bar__minus_02_dot_50 - receptacle
 loc_bar_start - location
 loc_bar_counter - location
 loc_bar_toilet - location
 loc_bar_cabinet - location
 loc_bar_bathtub - location
 SoapBottleType - otype
 ToiletPaperType - otype
 CounterTopType - rtype
 ToiletType - rtype
 CabinetType - rtype
 BathtubType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation CounterTop_bar__plus_01_dot_00 loc_bar_counter)
 (receptacleAtLocation Toilet_bar__minus_01_dot_20 loc_bar_toilet)
 (receptacleAtLocation Cabinet_bar__plus_00_dot_90 loc_bar_cabinet)
 (receptacleAtLocation Bathtub_bar__minus_02_dot_50 loc_bar_bathtub)
 (receptacleType CounterTop_bar__plus_01_dot_00 CounterTopType)
 (receptacleType Toilet_bar__minus_01_dot_20 ToiletType)
 (receptacleType Cabinet_bar__plus_00_dot_90 CabinetType)
 (receptacleType Bathtub_bar__minus_02_dot_50 BathtubType)
 (openable Cabinet_bar__plus_00_dot_90)
 (objectType SoapBottle_bar__plus_00_dot_60 SoapBottleType)
 (objectType ToiletPaper_bar__minus_00_dot_20 ToiletPaperType)
 (objectAtLocation SoapBottle_bar__plus_00_dot_60 loc_bar_counter)
 (objectAtLocation ToiletPaper_bar__minus_00_dot_20 loc_bar_cabinet)
 (inReceptacle SoapBottle_bar__plus_00_dot_60 CounterTop_bar__plus_01_dot_00)
 (inReceptacle ToiletPaper_bar__minus_00_dot_20 Cabinet_bar__plus_00_dot_90)
 (pickupable SoapBottle_bar__plus_00_dot_60)
 (pickupable ToiletPaper_bar__minus_00_dot_20)
 (canContain CounterTopType SoapBottleType)
 (canContain ToiletType SoapBottleType)
 (canContain CabinetType SoapBottleType)
 (canContain BathtubType SoapBottleType)
 (canContain CounterTopType ToiletPaperType)
 (canContain ToiletType ToiletPaperType)
 (canContain CabinetType ToiletPaperType)
)
