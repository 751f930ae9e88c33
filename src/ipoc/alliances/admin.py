from django.contrib import admin

from ipoc.alliances import models

for model in (models.Consortium, models.ConsortiumMember, models.ConsortiumAgreement, models.JointProject,
              models.Milestone, models.JointPatent, models.SharedPatent, models.ProtectionAction,
              models.ProtectionShare, models.SmeService):
    admin.site.register(model)
