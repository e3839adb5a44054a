"""The simulated GitLab: a group with one subgroup per team, served as GitLab REST v4 under `/gitlab/api/v4`."""
