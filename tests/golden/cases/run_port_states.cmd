run scenarios/port-states.scn
