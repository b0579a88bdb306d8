// The project's GWI application: GWI_APPLICATION points runserver here, and any GWI server can serve it.
import { getGwiApplication } from 'gwi';

export const application = getGwiApplication();
