; A bedroom: the cellphone waits in a closed drawer; it belongs on the bed.
(define (problem egoloop_cellphone_on_bed)
(:domain alfred)
(:objects
 agent1 - agent
 CellPhone_bar__plus_01_dot_20 - object
 Pen_bar__plus_00_dot_40 - object
 Bed_bar__minus_02_dot_00 - receptacle
 Desk_bar__plus_02_dot_10 - receptacle
 Drawer_bar__plus_01_dot_80 - receptacle
 Dresser_bar__minus_00_dot_60 - receptacle
 loc_bar_start - location
 loc_bar_bed - location
 loc_bar_desk - location
 loc_bar_drawer - location
 loc_bar_dresser - location
 CellPhoneType - otype
 PenType - otype
 BedType - rtype
 DeskType - rtype
 DrawerType - rtype
 DresserType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation Bed_bar__minus_02_dot_00 loc_bar_bed)
 (receptacleAtLocation Desk_bar__plus_02_dot_10 loc_bar_desk)
 (receptacleAtLocation Drawer_bar__plus_01_dot_80 loc_bar_drawer)
 (receptacleAtLocation Dresser_bar__minus_00_dot_60 loc_bar_dresser)
 (receptacleType Bed_bar__minus_02_dot_00 BedType)
 (receptacleType Desk_bar__plus_02_dot_10 DeskType)
 (receptacleType Drawer_bar__plus_01_dot_80 DrawerType)
 (receptacleType Dresser_bar__minus_00_dot_60 DresserType)
 (openable Drawer_bar__plus_01_dot_80)
 (objectType CellPhone_bar__plus_01_dot_20 CellPhoneType)
 (objectType Pen_bar__plus_00_dot_40 PenType)
 (objectAtLocation CellPhone_bar__plus_01_dot_20 loc_bar_drawer)
 (objectAtLocation Pen_bar__plus_00_dot_40 loc_bar_desk)
 (inReceptacle CellPhone_bar__plus_01_dot_20 Drawer_bar__plus_01_dot_80)
 (inReceptacle Pen_bar__plus_00_dot_40 Desk_bar__plus_02_dot_10)
 (pickupable CellPhone_bar__plus_01_dot_20)
 (pickupable Pen_bar__plus_00_dot_40)
 (canContain BedType CellPhoneType)
 (canContain DeskType CellPhoneType)
 (canContain DrawerType CellPhoneType)
 (canContain DresserType CellPhoneType)
 (canContain DeskType PenType)
 (canContain DrawerType PenType)
 (canContain DresserType PenType)
)
