run scenarios/isn-prediction.scn
