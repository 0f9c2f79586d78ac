; A bedroom: one CD on the desk, one in a closed drawer; both go into the closed safe.
(define (problem egoloop_two_cds_in_safe)
(:domain alfred)
(:objects
 agent1 - agent
 CD_bar__plus_00_dot_30 - object
 CD_bar__minus_00_dot_70 - object
 Pencil_bar__plus_01_dot_10 - object
 Desk_bar__plus_02_dot_10 - receptacle
 Drawer_bar__plus_01_dot_80 - receptacle
 Safe_bar__minus_01_dot_90 - receptacle
 Bed_bar__minus_02_dot_00 - receptacle
 loc_bar_start - location
 loc_bar_desk - location
 loc_bar_drawer - location
 loc_bar_safe - location
 loc_bar_bed - location
 CDType - otype
 PencilType - otype
 DeskType - rtype
 DrawerType - rtype
 SafeType - rtype
 BedType - rtype
)
(:init
 (atLocation agent1 loc_bar_start)
 (receptacleAtLocation Desk_bar__plus_02_dot_10 loc_bar_desk)
 (receptacleAtLocation Drawer_bar__plus_01_dot_80 loc_bar_drawer)
 (receptacleAtLocation Safe_bar__minus_01_dot_90 loc_bar_safe)
 (receptacleAtLocation Bed_bar__minus_02_dot_00 loc_bar_bed)
 (receptacleType Desk_bar__plus_02_dot_10 DeskType)
 (receptacleType Drawer_bar__plus_01_dot_80 DrawerType)
 (receptacleType Safe_bar__minus_01_dot_90 SafeType)
 (receptacleType Bed_bar__minus_02_dot_00 BedType)
 (openable Drawer_bar__plus_01_dot_80)
 (openable Safe_bar__minus_01_dot_90)
 (objectType CD_bar__plus_00_dot_30 CDType)
 (objectType CD_bar__minus_00_dot_70 CDType)
 (objectType Pencil_bar__plus_01_dot_10 PencilType)
 (objectAtLocation CD_bar__plus_00_dot_30 loc_bar_desk)
 (objectAtLocation CD_bar__minus_00_dot_70 loc_bar_drawer)
 (objectAtLocation Pencil_bar__plus_01_dot_10 loc_bar_desk)
 (inReceptacle CD_bar__plus_00_dot_30 Desk_bar__plus_02_dot_10)
 (inReceptacle CD_bar__minus_00_dot_70 Drawer_bar__plus_01_dot_80)
 (inReceptacle Pencil_bar__plus_01_dot_10 Desk_bar__plus_02_dot_10)
 (pickupable CD_bar__plus_00_dot_30)
 (pickupable CD_bar__minus_00_dot_70)
 (pickupable Pencil_bar__plus_01_dot_10)
 (canContain DeskType CDType)
 (canContain DrawerType CDType)
 (canContain SafeType CDType)
 (canContain BedType CDType)
 (canContain DeskType PencilType)
 (canContain DrawerType PencilType)
)
