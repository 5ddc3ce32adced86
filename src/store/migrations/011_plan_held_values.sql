-- Values of a planExecuteReview run that a convergence guard stopped: held for a person, never output.
-- (The address loop wrote country = "5 Hauptstrasse, Munich, BY 80331" as output before this.)
CREATE TABLE plan_held_values (LIKE plan_output_values INCLUDING ALL);
