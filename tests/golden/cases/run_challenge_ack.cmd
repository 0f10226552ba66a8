run scenarios/challenge-ack.scn
