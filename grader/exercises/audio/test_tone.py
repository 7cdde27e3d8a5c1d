"""Integration: the grader trains the candidate's WaveNetLite on a tone whose pitch it draws now
(μ-law codes from its own encoder), asks generate_audio for a continuation of a true prime,
decodes the codes itself and checks the FFT peak and the power near the tone's frequencies."""

from helpers import check_tone, tone_run

from grader.testing import points, timeout


@points(4)
@timeout(180)
def test_wavenet_learns_a_tone(submission, gen, device):
    check_tone(tone_run(submission, gen, device))
