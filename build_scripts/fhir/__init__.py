"""The guideline as computable artefacts, written into the site at fhir/ by the build.

From the same tree, options and evidence data as the pages (read through the calculator's own
loader): a FHIR R4B Bundle (the sequencing PlanDefinition, an ActivityDefinition per option, a
Citation per trial, the Questionnaire of the answers, code systems) and JSON Schemas of the two
calculators' input and output. Standard library only: the FHIR tools are test dependencies.
"""
