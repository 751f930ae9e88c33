"""A payment counts as received once the licensor confirms it (确认收款) — before, a licensee's own record of a
payment counted at once. Existing payments: those the licensor's own users recorded were its statement of receipt
and are confirmed (by the recorder, now); every other one (the licensee's, a center's, the system's) waits for the
licensor as a new one would."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def licensor_recorded_confirmed(apps, schema_editor):
    from django.db.models import F
    from django.utils import timezone

    RoyaltyPayment = apps.get_model("licensing", "RoyaltyPayment")
    RoyaltyPayment.objects.filter(
        recorded_by__isnull=False, recorded_by__organization_id=F("licence__declaration__patentee_id"),
    ).update(status="confirmed", reviewed_by=F("recorded_by"), reviewed_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('licensing', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='royaltypayment',
            name='dispute_reason',
            field=models.TextField(blank=True, verbose_name='对账异议理由'),
        ),
        migrations.AddField(
            model_name='royaltypayment',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='确认/异议时间'),
        ),
        migrations.AddField(
            model_name='royaltypayment',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认/异议人'),
        ),
        migrations.AddField(
            model_name='royaltypayment',
            name='status',
            field=models.CharField(choices=[('pending', '待许可人确认'), ('confirmed', '许可人已确认收款'), ('disputed', '对账异议')], db_index=True, default='pending', max_length=16, verbose_name='收款确认'),
        ),
        migrations.RunPython(licensor_recorded_confirmed, migrations.RunPython.noop),
    ]
