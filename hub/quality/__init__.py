"""Metadata quality per repository: completeness, invalid values, OpenAIRE requirements, bilingual
advice and the suggestions the hub found in other members' copies of the same works."""
