; A bedroom: the alarm clock is on the dresser, the desk lamp on the desk.
(define (problem egoloop_alarmclock_under_desklamp)
(:domain alfred)
(:objects
 agent1 - agent
 AlarmClock_bar__plus_00_dot_70 - object
 DeskLamp_bar__plus_02_dot_30 - object
 Book_bar__minus_01_dot_50 - object
 Bed_bar__minus_02_dot_00 - receptacle
 Desk_bar__plus_02_dot_10 - receptacle
 Dresser_bar__minus_00_dot_60 - receptacle
 loc_bar_start - location
 loc_bar_bed - location
 loc_bar_desk - location
 loc_bar_dresser - location
 AlarmClockType - otype
 DeskLampType - otype
 BookType - otype
 BedType - rtype
 DeskType - rtype
 DresserType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation Bed_bar__minus_02_dot_00 loc_bar_bed)
 (receptacleAtLocation Desk_bar__plus_02_dot_10 loc_bar_desk)
 (receptacleAtLocation Dresser_bar__minus_00_dot_60 loc_bar_dresser)
 (receptacleType Bed_bar__minus_02_dot_00 BedType)
 (receptacleType Desk_bar__plus_02_dot_10 DeskType)
 (receptacleType Dresser_bar__minus_00_dot_60 DresserType)
 (objectType AlarmClock_bar__plus_00_dot_70 AlarmClockType)
 (objectType DeskLamp_bar__plus_02_dot_30 DeskLampType)
 (objectType Book_bar__minus_01_dot_50 BookType)
 (objectAtLocation AlarmClock_bar__plus_00_dot_70 loc_bar_dresser)
 (objectAtLocation DeskLamp_bar__plus_02_dot_30 loc_bar_desk)
 (objectAtLocation Book_bar__minus_01_dot_50 loc_bar_bed)
 (inReceptacle AlarmClock_bar__plus_00_dot_70 Dresser_bar__minus_00_dot_60)
 (inReceptacle DeskLamp_bar__plus_02_dot_30 Desk_bar__plus_02_dot_10)
 (inReceptacle Book_bar__minus_01_dot_50 Bed_bar__minus_02_dot_00)
 (pickupable AlarmClock_bar__plus_00_dot_70)
 (pickupable Book_bar__minus_01_dot_50)
 (toggleable DeskLamp_bar__plus_02_dot_30)
 (canContain DeskType AlarmClockType)
 (canContain DresserType AlarmClockType)
 (canContain BedType BookType)
 (canContain DeskType BookType)
 (canContain DresserType BookType)
)
